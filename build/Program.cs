using Registry.Build;

return await Pipeline.Create().RunAsync(args);
