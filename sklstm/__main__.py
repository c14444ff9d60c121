"""``python -m sklstm`` runs the forecasting demo."""

from ._demo import main

raise SystemExit(main())
