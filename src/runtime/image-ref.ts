// Image references ("name", "name:tag", "registry:port/name@sha256:…"), shared by the drivers.

/**
 * "busybox" → "busybox:latest": a reference without tag or digest means "latest" to ECS, while
 * Docker's pull API would read it as "every tag". A registry port ("127.0.0.1:5000/app") is not a tag.
 */
export function withDefaultTag(image: string): string {
  const lastComponent = image.slice(image.lastIndexOf("/") + 1);
  return lastComponent.includes(":") || lastComponent.includes("@") ? image : `${image}:latest`;
}
