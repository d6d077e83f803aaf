"""retarget"""
