"""Reports built from a case: dossiers on an actor, every sentence citing an archived span."""
