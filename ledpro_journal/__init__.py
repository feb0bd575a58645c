"""LEDPRO Journal: the action-learning workbench for the LEDPRO leadership programme."""
