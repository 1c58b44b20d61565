"""The public page of a CTG for inhabitants, published when the signatories choose to (issue 13)."""
