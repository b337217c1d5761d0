"""Demo data that tells the story of a community of creation, for the embedded run.

The top layer: it uses every app's services (accounts, communities, knowledge, moderation,
notifications) and nothing imports it. ``manage.py seed_demo`` loads it; running it again
changes nothing.
"""
