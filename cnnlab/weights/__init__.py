"""Trained weights and cards of the checkpoints that ship inside cnnlab.

``cnnlab.pretrained`` loads them; ``python -m cnnlab.pretrained train NAME`` reproduces
``NAME.weights.h5`` and its card ``NAME.json`` from the recipe in
``cnnlab/pretrained/recipes/``.
"""
