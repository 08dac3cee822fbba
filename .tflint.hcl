# tflint on the HCL synth (scripts/verify-validate.sh): the bundled Terraform language ruleset,
# its "recommended" preset. The AWS ruleset plugin cannot be installed here (not on the Go proxy).
config {
  call_module_type = "none"
}

plugin "terraform" {
  enabled = true
  preset  = "recommended"
}
