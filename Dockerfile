# Winnow's image: Node 24 runs the TypeScript sources by stripping their types (no compiler, no
# tsx); production dependencies only; the code belongs to root and the process runs as `node`.
#
#   docker build -t winnow .
#   docker run --env-file .env winnow              # both roles in one process ("start")
#   docker run --env-file .env winnow worker       # or one role per container: worker, web
#   docker run --env-file .env winnow check-config # the settings alone, no connections

# Stage 1: the production dependencies, installed from the lock file.
FROM node:24-bookworm-slim AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# Stage 2: the runtime. Sources stay outside node_modules, where Node refuses to strip types.
FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY templates ./templates
USER node
EXPOSE 3000
ENTRYPOINT ["node", "--max-semi-space-size=8", "bin/winnow.js"]
CMD ["start"]
