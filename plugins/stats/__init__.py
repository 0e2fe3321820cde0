from .stats import *  # noqa: F403
