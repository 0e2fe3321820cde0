from .cname import *  # noqa: F403
