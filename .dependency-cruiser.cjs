// What may import what in src/ (README, "Layout"): checked by `./berth test` before any test
// runs, so the layering is enforced rather than remembered.
//   cli       → everything (the composition roots)
//   services  → aws, domain, state, scheduler, wire, log; never another service's folder
//   aws       → domain (types), wire, log
//   scheduler → domain, log
//   state     → domain
//   agent     → wire, runtime, domain, log; never the control plane
//   wire      → domain
//   runtime   → log
//   dataplane → domain, state, runtime, log (the load balancers' proxy engine, run by the control plane)
//   domain    → nothing with I/O
// src/*.ts (json-dates, paths) are leaves anyone may use.
const layer = (name, mayUse) => ({
  name: `${name}-imports`,
  comment: `src/${name} may import only ${mayUse.join(", ") || "itself"} (and the leaves in src/*.ts)`,
  severity: "error",
  from: { path: `^src/${name}/` },
  to: {
    path: "^src/",
    pathNot: [`^src/${name}/`, "^src/[^/]+\\.ts$", ...mayUse.map((used) => `^src/${used}/`)],
  },
});

module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", comment: "no import cycles", from: {}, to: { circular: true } },
    layer("services", ["aws", "domain", "state", "scheduler", "wire", "log"]),
    layer("aws", ["domain", "wire", "log"]),
    layer("scheduler", ["domain", "log"]),
    layer("state", ["domain"]),
    layer("agent", ["wire", "runtime", "domain", "log"]),
    layer("wire", ["domain"]),
    layer("runtime", ["log"]),
    layer("dataplane", ["domain", "state", "runtime", "log"]),
    layer("domain", []),
    layer("log", []),
    {
      name: "one-service-per-folder",
      comment: "a service's folder does not reach into another service's: they meet in the composition root",
      severity: "error",
      from: { path: "^src/services/([^/]+)/" },
      to: { path: "^src/services/", pathNot: "^src/services/$1/" },
    },
    {
      name: "domain-without-io",
      comment: "the domain is pure: no file system, network, processes or threads",
      severity: "error",
      from: { path: "^src/domain/" },
      to: {
        dependencyTypes: ["core"],
        path: "^(node:)?(fs|fs/promises|net|http|https|http2|dgram|dns|child_process|cluster|worker_threads|tls|readline|repl|os|process|v8|vm)$",
      },
    },
    {
      name: "not-to-dev-dependencies",
      comment: "what runs in production must not need a devDependency (an install with --omit=dev breaks it)",
      severity: "error",
      from: { path: "^src/" },
      to: { dependencyTypes: ["npm-dev"], dependencyTypesNot: ["type-only"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
      extensions: [".ts", ".js", ".json"],
    },
    exclude: { path: "^(dist|node_modules)/" },
  },
};
