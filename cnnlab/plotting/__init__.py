"""Figures the course notebooks draw, one topic per module."""
from .conv import plot_array, plot_conv_arithmetic, plot_feature_maps, plot_pooling
