# The chat gateway: `docker build -t nest-chat-gateway .` (docker-compose.yml builds it too).
# No `# syntax=` line: BuildKit would fetch that frontend image from the registry.

# The Node.js base image of both stages: another registry or mirror with
# `--build-arg NODE_IMAGE=...` (deploy/local-base-images.sh builds a stand-in from Debian).
ARG NODE_IMAGE=node:20-alpine

# Build stage: the full dependency tree and the TypeScript compiler.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No scripts: `prepare` would build before the sources are copied (the build is the next step).
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs ./scripts/
COPY src ./src
# Compiles to dist/ (with the chat page's files), then drops the dev dependencies.
RUN npm run build && npm prune --omit=dev && npm cache clean --force

# Runtime stage: compiled code and production dependencies only, as the unprivileged `node` user.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
USER node
EXPOSE 3000
# 503 while a required dependency (Redis with BUS=redis) is down, so an orchestrator sees it.
HEALTHCHECK --interval=10s --timeout=10s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM closes every WebSocket with 1001 and removes this instance from Redis presence.
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
