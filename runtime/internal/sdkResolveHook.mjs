// Node module-resolution hook: lets any plugin, wherever its folder is, import "lvlup/sdk" (mapped to the
// SDK this runtime runs) and the runtime's own dependencies (effect, xstate) without installing them.
let sdkUrl
let projectUrl

export async function initialize(data) {
  sdkUrl = data.sdkUrl
  projectUrl = data.projectUrl
}

const isBare = (specifier) => !/^(\.|\/|[a-z]+:)/i.test(specifier)

export async function resolve(specifier, context, nextResolve) {
  // Passed down the chain so that the TypeScript loader (tsx) still sees the SDK's .ts file.
  if (specifier === "lvlup/sdk" || specifier === "@lvlup/sdk") return nextResolve(sdkUrl, context)
  try {
    return await nextResolve(specifier, context)
  } catch (error) {
    if (error?.code !== "ERR_MODULE_NOT_FOUND" || !isBare(specifier) || context.parentURL === projectUrl)
      throw error
    return nextResolve(specifier, { ...context, parentURL: projectUrl })
  }
}
