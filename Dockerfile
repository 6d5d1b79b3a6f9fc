# syntax=docker/dockerfile:1
# One image for every service: the command picks the process (see docker-compose.yml and deploy/k8s).
#   gateway:    node dist/gateway.js            (compiled by `npm run build`: no TypeScript loader, no source maps per request)
#   subgraph:   node dist/subgraph.js <name>    (compiled the same way)
#   migrations: node --import tsx hosts/migrate.ts [<name>...]
ARG NODE_IMAGE=node:20.20-bookworm-slim

# 1. Everything, dev dependencies included: `npm ci` runs the generators (Prisma clients, resolver
#    types), builds the admin dashboard and GraphiQL (dashboard/dist, which the gateway serves) and
#    compiles the gateway and the subgraph host into one JavaScript file each (dist/gateway.js and
#    dist/subgraph.js, `npm run build`).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY dashboard ./dashboard
COPY prisma ./prisma
COPY schema ./schema
COPY platform ./platform
COPY contracts ./contracts
COPY subgraphs ./subgraphs
COPY gateway ./gateway
COPY hosts ./hosts
COPY tools ./tools
RUN npm ci --no-audit --no-fund

# 2. Production dependencies only, without install scripts (the generated code comes from stage 1).
#    @prisma/client brings the Prisma CLI, Studio and TypeScript as peers; nothing runs them at runtime.
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
# The dashboard is an npm workspace: npm needs its manifest (all of its packages are build-time only).
COPY dashboard/package.json ./dashboard/
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/prisma node_modules/@prisma/studio-core node_modules/@prisma/dev node_modules/typescript \
 && npm cache clean --force

# 3. Runtime: production dependencies, the services' sources and generated code, as the non-root `node` user.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    DATA_DIR=/app/.data
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/package.json /app/tsconfig.json ./
COPY --from=build /app/platform ./platform
COPY --from=build /app/contracts ./contracts
COPY --from=build /app/subgraphs ./subgraphs
COPY --from=build /app/gateway ./gateway
COPY --from=build /app/hosts ./hosts
COPY --from=build /app/schema ./schema
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/dist ./dist
COPY --from=build /app/dashboard/dist ./dashboard/dist
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 4000
# Liveness only: readiness (/readyz: database, or every subgraph for the gateway) is the orchestrator's probe.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node"]
CMD ["dist/gateway.js"]
