"""Stories: the shared rules, the online clusterer, what a story tells, and evaluation."""
