"""Audio files → waveforms → cached features → segments: the input side of jmer."""
