"""Fetching remote sources (arXiv API and RSS, Hugging Face daily papers) into the inbox.

``digest fetch`` downloads whole answers, checks each with the reader that will later read it,
and only when every source answered usefully writes them, one file per answer, into the inbox
folder that ``digest build`` reads. A failure writes nothing.
"""
