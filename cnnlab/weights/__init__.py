"""Pre-trained weights shipped inside cnnlab; ``cnnlab.transfer.backbone`` loads them.

``tools/train_cnnlab_mini.py`` reproduces every file here from the embedded data.
"""
