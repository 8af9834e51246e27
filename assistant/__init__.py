"""The conversation layer: routes messages, keeps follow-up state, builds channel-neutral answers."""
