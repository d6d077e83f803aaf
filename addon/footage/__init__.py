"""footage"""
