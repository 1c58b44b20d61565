"""Template filters of the organisation selects (`ctg.organisations.choices`)."""

from django import template

register = template.Library()


@register.filter
def option_groups(bound_field):
    """[(group label, [subwidgets]), …]: the checkboxes of a grouped multiple choice, by group."""
    subwidgets = list(bound_field.subwidgets)
    groups, start = [], 0
    for label, options in bound_field.field.choices:
        if isinstance(options, list | tuple):
            groups.append((label, subwidgets[start : start + len(options)]))
            start += len(options)
        else:
            groups.append(("", subwidgets[start : start + 1]))
            start += 1
    return groups
