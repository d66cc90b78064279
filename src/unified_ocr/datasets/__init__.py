"""Datasets: word and line crops with labels, written in the formats recognition trainers
read. Empty until the dataset feature lands; it imports only the model, geometry, imaging
and batch, and reuses the evaluation package's matching and truth readers."""
