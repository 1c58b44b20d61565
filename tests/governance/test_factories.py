from tests.governance.factories import PresentParticipantFactory


def test_participant_factory_for_reports_is_present_at_a_held_meeting(db):
    participant = PresentParticipantFactory()
    assert participant.attendance == "present" and participant.meeting.status == "tenue"
