# syntax=docker/dockerfile:1
# The gateway and the projector (one image, two entry points), built exactly as CI builds them: `npm ci` from the
# lock file, then `npm run build` (tsc -p tsconfig.build.json). The runtime stage carries only the compiled
# output and the production dependencies, and runs as the unprivileged `node` user.
#
# Node.js: every stage is the version package.json pins (its `node` devDependency, "engines"; docs/decisions.md
# "Node.js 26"), checked by test/node-version.unit.spec.ts. The `node` package is a devDependency, so the runtime
# stage's `npm ci --omit=dev` leaves out its second, identical 150 MB binary: the image's own node runs the gateway.

FROM node:26.10.0-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:26.10.0-bookworm AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:26.10.0-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# package.json travels too: its "type" and "imports" (#event-store/* -> dist/...) are how the compiled code resolves.
COPY --chown=node:node package.json package-lock.json ./
COPY --from=production-dependencies --chown=node:node /app/node_modules ./node_modules
# The compiled gateway, projector, admin CLI, libraries and console; not the benchmarks or the examples under dist/.
# Test support never reaches dist/ (tsconfig.build.json; test/build-output.int.spec.ts).
COPY --from=build --chown=node:node /app/dist/apps ./dist/apps
COPY --from=build --chown=node:node /app/dist/libs ./dist/libs
COPY --from=build --chown=node:node /app/dist/console ./dist/console
# The embedded mode's PGlite directory, should someone run the image without DATABASE_URL (mount a volume there).
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
# Liveness only (GET /health); readiness (GET /ready) also needs the event store and caught-up projections.
# The projector serves /health on PROJECTOR_PORT: docker-compose.yml overrides this check for it.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/apps/gateway/src/main.js"]
