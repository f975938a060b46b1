//! Function Mesh custom resources (`compute.functionmesh.io/v1alpha1`). (Being written.)
