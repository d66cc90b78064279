"""Evaluation: results against ground truth (character and word error rates, detection
precision and recall) and engines against each other. Empty until the comparison feature
lands; it imports only the model, geometry, imaging and batch."""
