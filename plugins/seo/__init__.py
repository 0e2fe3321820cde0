from .seo import *  # noqa: F403
