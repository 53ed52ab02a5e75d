"""Figures the course notebooks draw, one topic per module."""
from .conv import plot_array, plot_conv_arithmetic, plot_feature_maps, plot_pooling
from .training import Spread, plot_learning_curves, plot_results_table, spread
from .deconv import (plot_checkerboard, plot_conv_matrix, plot_image_unpooling, plot_segmentation,
                     plot_unpooling)
from .deformable import plot_sampling_points
from .palette import CLASS_COLORS, class_color, class_colormap, class_colors, class_norm, mask_to_rgb
from .model_graph import ModelGraph, GraphNode, model_graph
from .architecture import CATEGORY_COLORS, plot_architecture
from .filters import filter_images, plot_class_activation_maps, plot_filters
