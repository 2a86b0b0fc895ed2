export const API_ERRORS_KEY = 'app:apiErrors';

/**
 * The error codes a route can answer with, for its OpenAPI document. Several calls on one route
 * (or on its controller) add up.
 */
export function ApiErrors(...codes: string[]): MethodDecorator & ClassDecorator {
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor): void => {
    const holder = (descriptor?.value as object | undefined) ?? target;
    const previous = (Reflect.getMetadata(API_ERRORS_KEY, holder) as string[] | undefined) ?? [];
    Reflect.defineMetadata(API_ERRORS_KEY, [...new Set([...previous, ...codes])], holder);
  };
}
