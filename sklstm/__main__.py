"""``python -m sklstm`` runs the forecasting demo (``--help`` lists its options)."""

from ._demo import main

if __name__ == "__main__":
    raise SystemExit(main())
