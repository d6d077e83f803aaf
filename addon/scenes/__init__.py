"""Sequencer › Clapper › Scenes: group scenes, check the edit, repair, make an edit."""
