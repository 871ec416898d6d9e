"""The networks: the LRU layer and its scan, the backbones, and the step network that wraps a
backbone for audio. Each maps features to features; none knows about refinement steps beyond
an optional conditioning input (the process is `refine.process`)."""
