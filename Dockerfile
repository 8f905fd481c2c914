# rocketchat-identity-bridge: multi-stage build, production dependencies only, non-root.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    PORT=8000
WORKDIR /app
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
COPY --chown=root:root bin ./bin
# `docker compose exec bridge rc-bridge users add ...`
RUN chmod 0755 bin/rc-bridge.js && ln -s /app/bin/rc-bridge.js /usr/local/bin/rc-bridge
# The built-in login templates, translations and static assets (VIEWS_DIR overrides them file by file).
COPY --chown=root:root views ./views
COPY --chown=root:root locales ./locales
COPY --chown=root:root public ./public
# The files belong to root and the process runs as `node`: the service cannot rewrite itself.
USER node
EXPOSE 8000
# No --start-period: dockerfilelint 1.8 cannot parse it, and the service is up within a second or two.
HEALTHCHECK --interval=15s --timeout=5s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]
