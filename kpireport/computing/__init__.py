"""Computing: SPEC metrics, driver trees and design findings, pure functions over the model."""
