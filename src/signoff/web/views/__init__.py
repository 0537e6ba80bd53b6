"""View models: one small module per page, each building plain data from service calls."""
