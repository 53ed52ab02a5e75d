"""One module per shipped checkpoint; each calls ``cnnlab.pretrained.register`` once.

Every module here is imported when the registry is first used, so adding a checkpoint
is adding a module (see CONTRIBUTING.md, "Adding a checkpoint").
"""
