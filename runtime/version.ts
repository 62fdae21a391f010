// The runtime's SDK version: plugins declare the range they need in package.json "lvlup.runtime".
export const RUNTIME_VERSION = "0.1.0"
