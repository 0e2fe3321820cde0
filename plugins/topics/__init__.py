from .topics import *  # noqa: F403
