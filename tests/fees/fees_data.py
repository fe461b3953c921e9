"""Constants shared by the fee tests."""
CODE = "FEE01"
FREE = "FREE01"
COVERS = "300 € couvrent les frais administratifs d'étude du dossier de recevabilité. Non remboursables."
