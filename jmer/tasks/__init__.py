"""Tasks: what each model head is (jmer.tasks.registry), the spec every task follows
(jmer.tasks.spec), what a prediction of a task consists of (jmer.tasks.outputs), the
genre-tags task, and the label vocabularies (jmer.tasks.labels).

Callers use this package's surface: `from jmer import tasks as tasks_lib`.
"""

from jmer.tasks import outputs  # noqa: F401
from jmer.tasks.registry import (  # noqa: F401
    AROUSAL_VALENCE, AUX_PREFIX, GENRE, GENRE_TAGS, QUADRANT, TASKS, ArousalValenceTask,
    GenreTask, Head, QuadrantTask, active, av_from_quadrant_probabilities, aux_output_name,
    model_heads, output_names, overrides, targets)
from jmer.tasks.spec import (  # noqa: F401
    CLASSIFICATION, MULTILABEL, REGRESSION, MultiLabelTask, Task)
