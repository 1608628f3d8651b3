// Placeholder until this layer lands; see DESIGN.md.
