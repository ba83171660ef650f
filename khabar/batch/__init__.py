"""The Spark job: the same pipeline and story rules over corpora larger than one machine."""
