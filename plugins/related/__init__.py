from .related import *  # noqa: F403
