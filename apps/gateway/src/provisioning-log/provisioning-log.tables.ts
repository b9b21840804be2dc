// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const PROVISIONING_LOG_ENTITIES: Function[] = [];
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const PROVISIONING_LOG_MIGRATIONS: Function[] = [];
