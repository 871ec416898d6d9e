"""The study side: how quality evolves step by step and how many steps to run. `measure`
runs a refiner over a test set step by step (training's validation and refine-eval), `metrics`
scores the audio, `choose` picks steps and tolerances, `settling` says whether the iteration
settles, `complexity` counts parameters and MACs, `classical` holds the classical baselines
and oracles as refiners, `records` owns the evaluation files on disk (written and read),
`figures` draws, and `report` turns evaluation folders into figures and tables."""
