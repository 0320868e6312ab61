Console.WriteLine(Ama.Cryptography.SecureMemory.GetStatus());
