// Handler tables typed from the AWS SDK's own commands: every `<Op>Command` a client
// package exports names an operation, and its input and output types are the handler's.
// A handler filed under a name the service lacks, or answering the wrong shape, does not
// compile. Types only: nothing here runs.

/** What a service's handlers share: the request's context and the operation's input. */
export type Handler<Ctx, I, O> = (ctx: Ctx, input: I) => Promise<O>;

/** The command classes of an SDK client package (`typeof import("@aws-sdk/client-ecs")`). */
type CommandClass = abstract new (...args: never[]) => { readonly input: object; resolveMiddleware(...args: never[]): unknown };

type OperationName<Sdk> = {
  [K in keyof Sdk]: K extends `${infer Op}Command` ? (Sdk[K] extends CommandClass ? Op : never) : never;
}[keyof Sdk];

type CommandOf<Sdk, Op extends string> = Sdk[`${Op}Command` & keyof Sdk] extends CommandClass
  ? InstanceType<Sdk[`${Op}Command` & keyof Sdk]>
  : never;

/** An operation's input, as the SDK's command takes it. */
export type InputOf<Sdk, Op extends string> = CommandOf<Sdk, Op>["input"];

/** An operation's output, as the SDK's command answers it, without the response metadata the protocol layer adds. */
export type OutputOf<Sdk, Op extends string> = Omit<
  Awaited<ReturnType<ReturnType<CommandOf<Sdk, Op>["resolveMiddleware"]>>> extends { output: infer O } ? O : never,
  "$metadata"
>;

/** Every operation of the service the SDK package `Sdk` is the client of, with its handler's type. */
export type Operations<Sdk, Ctx> = {
  [Op in OperationName<Sdk>]: Handler<Ctx, InputOf<Sdk, Op>, OutputOf<Sdk, Op>>;
};

/** The handlers a service has so far: any subset of its operations (the rest answer "not implemented"). */
export type HandlerTable<Sdk, Ctx> = Partial<Operations<Sdk, Ctx>>;
