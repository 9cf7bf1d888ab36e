export async function startServer(o: unknown) { throw new Error("not yet"); }
