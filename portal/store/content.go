package store

// Downloads, support requests and news (issue 4): filled in by that work.

var schemaContent = []string{}

func (s *Store) contentViewers() map[string]viewer { return nil }

func (s *Store) contentListers() []kindLister { return nil }
