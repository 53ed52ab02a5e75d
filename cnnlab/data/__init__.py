"""Embedded data sets: small, offline, seeded."""
from .split import Split, per_class_subset, to_datasets
from .digits import digits
from .faces import faces
from .textures import textures
from .images import SAMPLE_IMAGES, sample_image
from .tfds import DatasetNotAvailableError, default_data_dir, load, load_tfds
from .shapes import SHAPES, ShapesData, shapes
from .scenes import Scenes, scenes
