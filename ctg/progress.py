"""The progress bars of the command-line imports (tqdm), set up in one place: without tqdm's monitor thread,
which would outlive a progress bar — and a process with threads does not fork to render a big PDF in parts
(`ctg.rendering._can_fork`). The importers take `tqdm` from here."""

from tqdm import tqdm

tqdm.monitor_interval = 0

__all__ = ["tqdm"]
