"""Export: an analysis as the lab's own file formats (the last, "present" end of the pipeline).

``gaitscope export INPUT --to trc|mot|c3d`` and ``gaitscope analyze INPUT --export trc,mot,c3d``:

* TRC (OpenSim marker file): keypoints (and a marker file's raw markers) in metres, named.
* MOT (OpenSim motion file): the sagittal hip, knee and ankle angles with OpenSim's coordinate
  names and signs.
* C3D: the same points plus the detected events in the EVENT section (Foot Strike / Foot Off,
  Left / Right), written with ezc3d.

:func:`export_data` gathers what is exported from an :class:`~gaitscope.pipeline.AnalysisResult`;
one writer per format; every write is atomic (temporary file + rename). See docs/inputs.md.
"""

from gaitscope.export.c3d import write_c3d
from gaitscope.export.data import EXPORT_FORMATS, ExportData, export_data, export_result
from gaitscope.export.mot import write_mot
from gaitscope.export.trc import write_trc

__all__ = ["EXPORT_FORMATS", "ExportData", "export_data", "export_result", "write_c3d", "write_mot", "write_trc"]
